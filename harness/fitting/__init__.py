"""Fitting simulated-model profiles to recorded runs (`archbench fit`).

A run's traces are read back decision by decision (`classify`), each decision's
likelihood is written as a function of the profile parameters whose documented rule
produces it (`likelihood`), and the parameters are fitted by maximum likelihood with
bootstrap intervals over episodes (`fit`). The result is a versioned profile file
(`profile_file`) that `mock/profile?file=...` runs as a model. See docs/fitting.md.
"""
