"""What the tests share besides fixtures (those live in conftest.py only): one module per concern,
each helper with one meaning wherever it is used."""
