"""Open credit-decision system for "Prêt à dépenser", trained on the Home Credit Default Risk data."""

__all__ = ["__version__"]

__version__ = "0.1.0"
