"""The engine: handlers by job kind, the retry policy, the worker and the scheduler.

It moves jobs and never knows which system is behind them.
"""

from __future__ import annotations
