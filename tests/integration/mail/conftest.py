from tests.smtp import smtp_port, smtp_server

__all__ = ["smtp_port", "smtp_server"]
