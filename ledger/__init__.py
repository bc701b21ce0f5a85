"""beanclear: reconcile payment channels in Beancount books."""
__version__ = "0.1.0"
