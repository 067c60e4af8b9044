"""Operator tooling for Hookpost's dead-letter queue."""

from .dead_letter import DeadLetter, iter_dead_letters, load_dead_letter

__all__ = ["DeadLetter", "iter_dead_letters", "load_dead_letter"]
__version__ = "0.2.0"
