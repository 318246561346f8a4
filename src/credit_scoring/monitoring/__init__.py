"""Monitoring for a high-risk credit model: data drift (``drift``, Evidently), fairness by group (``fairness``,
fairlearn) and the model card (``card``); ``files`` names what they write, ``cli`` holds the ``monitor`` commands.

Each ``credit-scoring monitor ...`` command writes a human report (HTML, Markdown) and a JSON summary into the
monitoring folder (``CREDIT_SCORING_MONITORING_DIR``); the API serves the latest summaries to advisors and the
dashboard shows them. Nothing is computed inside an API request. See docs/monitoring.md. Importing this package
imports nothing else (the CLI imports ``monitoring.cli`` at start-up).
"""
