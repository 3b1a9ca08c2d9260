import pytest
from pydantic import ValidationError

from ordersmith.config import BackorderPolicy, Settings
from ordersmith.errors import ConfigurationError


def test_the_embedded_default_needs_no_configuration(tmp_path):
    # when
    settings = Settings(data_dir=tmp_path)
    # then
    assert settings.is_embedded
    assert settings.effective_database_url == f"sqlite:///{tmp_path.as_posix()}/ordersmith.db"
    assert settings.backorder_policy is BackorderPolicy.REJECT


def test_a_plain_postgresql_url_is_read_as_psycopg_3():
    settings = Settings(database_url="postgresql://u@db/ordersmith")
    assert settings.effective_database_url == "postgresql+psycopg://u@db/ordersmith"
    assert not settings.is_embedded


@pytest.mark.parametrize(
    "overrides",
    [
        {"database_url": "mysql://x"},
        {"default_currency": "euro"},
        {"idempotency_ttl_hours": 1},
        {"environment": "staging"},
    ],
)
def test_invalid_settings_are_refused_at_start(overrides):
    with pytest.raises(ValidationError):
        Settings(**overrides)


def test_settings_come_from_ordersmith_environment_variables(monkeypatch):
    monkeypatch.setenv("ORDERSMITH_BACKORDER_POLICY", "backorder")
    monkeypatch.setenv("ORDERSMITH_DUPLICATE_WINDOW_MINUTES", "5")
    settings = Settings()
    assert settings.backorder_policy is BackorderPolicy.BACKORDER
    assert settings.duplicate_window_minutes == 5


def test_production_refuses_to_run_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        Settings(environment="production", data_dir=tmp_path).effective_secret_key()


def test_development_generates_a_secret_key_once_and_keeps_it(tmp_path):
    first = Settings(data_dir=tmp_path).effective_secret_key()
    assert Settings(data_dir=tmp_path).effective_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("environment", "warms"), [("development", True), ("production", True), ("test", False)]
)
def test_a_server_warms_its_document_renderer_everywhere_but_in_tests(environment, warms):
    # when
    settings = Settings(environment=environment, secret_key="s" * 32)
    # then
    assert settings.warms_documents_on_start is warms


def test_the_document_warm_up_can_be_set_either_way(monkeypatch):
    # given: the test environment (no warm-up by default), asked for one
    monkeypatch.setenv("ORDERSMITH_DOCUMENTS_WARM_UP", "true")
    # when
    asked_for = Settings(environment="test")
    turned_off = Settings(documents_warm_up=False)
    # then
    assert asked_for.warms_documents_on_start
    assert not turned_off.warms_documents_on_start
