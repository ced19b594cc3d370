"""The simulated model: profiles, what it reads, the moves it chooses among, and its
random streams, one behaviour per module."""
