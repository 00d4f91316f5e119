"""Reads behind the sales analytics screens; every figure starts from the permission gate."""
