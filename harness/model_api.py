"""The interface every model backend implements, and what a provider registers.

Below the registry, the simulation and the backends alike, so that a provider module can
describe itself without importing the registry that loads it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from harness.messages import ModelRequest, ModelResponse


@runtime_checkable
class ModelBackend(Protocol):
    """The one interface of every model: simulated, scripted or real."""

    id: str

    async def generate(self, request: ModelRequest) -> ModelResponse: ...


@dataclass(frozen=True, slots=True)
class ModelId:
    provider: str
    name: str
    options: tuple[tuple[str, str], ...] = ()

    @property
    def full(self) -> str:
        return f"{self.provider}/{self.name}"


@dataclass(frozen=True, slots=True)
class Provider:
    name: str
    description: str
    create: Callable[[ModelId], ModelBackend]
    check: Callable[[ModelId], None]
    """Raises UnknownNameError/ConfigError if the id cannot work; must not touch the network."""
    models: Callable[[], list[str]]
