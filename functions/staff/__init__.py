"""The staff inbox's API: the operator's actions behind a signed-in staff member's token."""
