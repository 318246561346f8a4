"""One router per resource; ``credit_scoring.api.main`` gathers them under /api/v1."""
