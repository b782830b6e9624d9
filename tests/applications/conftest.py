"""Keras 3.15.1 (the reference in test_vs_keras.py) warns about itself under NumPy 2; not about lamina."""


def pytest_configure(config):
    config.addinivalue_line("filterwarnings", "ignore:__array__ implementation doesn't accept a copy keyword")
