"""The checker as it was before it ran over arrays: one plain loop per rule instance. Kept in the
tests only, as the oracle `tests/test_check_arrays.py` holds the array checker to."""

from tests.oracle_check import core, planning, policy
from tests.oracle_check.verify import verdict, verify

del core, planning, policy

__all__ = ["verdict", "verify"]
