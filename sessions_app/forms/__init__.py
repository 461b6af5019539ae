"""Forms, one module per area. Forms only normalise input; services decide."""
