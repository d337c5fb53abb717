"""Rules for accounts, passwords and one-time links."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from studyapp.auth import services
from studyapp.auth.models import LoginSession, OneTimeToken, Role, TokenPurpose
from studyapp.core.clock import utcnow
from studyapp.core.errors import BadCredentials, DomainError, DuplicateEmail, InvalidToken
from tests import factories


def test_emails_are_unique_whatever_their_case(session):
    factories.make_user(session, email="Ada.Lovelace@School.test")
    with pytest.raises(DuplicateEmail):
        factories.make_user(session, email="ada.lovelace@school.TEST ")


def test_email_is_stored_case_folded_and_login_ignores_case(session):
    user = factories.make_user(session, email="Mixed.Case@School.test")
    assert user.email == "mixed.case@school.test"
    assert services.authenticate(session, "MIXED.case@school.test", factories.PASSWORD) is user


def test_invalid_email_is_refused(session):
    with pytest.raises(DomainError, match="not a valid email"):
        factories.make_user(session, email="not-an-email")


def test_passwords_are_hashed_with_scrypt(session):
    user = factories.make_user(session)
    assert user.password_hash.startswith("scrypt:")
    assert factories.PASSWORD not in user.password_hash


def test_wrong_password_and_unknown_email_give_the_same_error(session):
    user = factories.make_user(session)
    with pytest.raises(BadCredentials) as wrong:
        services.authenticate(session, user.email, "wrong password!")
    with pytest.raises(BadCredentials) as unknown:
        services.authenticate(session, "nobody@school.test", "wrong password!")
    assert str(wrong.value) == str(unknown.value)


def test_account_without_password_cannot_log_in(session):
    user = factories.make_user(session, password=None)
    with pytest.raises(BadCredentials):
        services.authenticate(session, user.email, "")


def test_changing_password_ends_every_login_session(session):
    user = factories.make_user(session)
    keys = [services.start_session(session, user, timedelta(days=1)) for _ in range(2)]
    assert all(services.get_session_user(session, user.id, k) is user for k in keys)
    services.change_password(session, user, factories.PASSWORD, "a brand new password")
    assert [services.get_session_user(session, user.id, k) for k in keys] == [None, None]
    services.authenticate(session, user.email, "a brand new password")


def test_login_sessions_store_only_a_hash_of_their_key(session):
    user = factories.make_user(session)
    key = services.start_session(session, user, timedelta(days=1))
    stored = session.scalars(select(LoginSession.key_hash)).all()
    assert stored == [services.hash_token(key)] and key not in stored
    assert services.get_session_user(session, user.id, key + "x") is None
    other = factories.make_user(session)
    assert services.get_session_user(session, other.id, key) is None, "a key names one user"


def test_logging_in_clears_that_users_expired_sessions(session):
    user = factories.make_user(session)
    old = services.start_session(session, user, timedelta(days=1))
    session.execute(update(LoginSession).values(created_at=utcnow() - timedelta(days=2)))
    services.start_session(session, user, timedelta(days=1))
    assert services.get_session_user(session, user.id, old) is None
    assert session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_changing_password_needs_the_current_one(session):
    user = factories.make_user(session)
    with pytest.raises(BadCredentials):
        services.change_password(session, user, "not the password", "a brand new password")


def test_tokens_are_single_use_and_stored_hashed(session):
    user = factories.make_user(session)
    raw = services.issue_token(session, TokenPurpose.RESET, timedelta(hours=1), user=user)
    stored = session.scalars(select(OneTimeToken)).one()
    assert raw not in stored.token_hash
    services.complete_token_password(session, raw, TokenPurpose.RESET, "another good password")
    with pytest.raises(InvalidToken):
        services.complete_token_password(session, raw, TokenPurpose.RESET, "yet another password")


def test_expired_token_is_refused(session):
    user = factories.make_user(session)
    raw = services.issue_token(session, TokenPurpose.RESET, timedelta(seconds=-1), user=user)
    with pytest.raises(InvalidToken, match="expired"):
        services.peek_token(session, raw, TokenPurpose.RESET)


def test_token_of_another_purpose_is_refused(session):
    user = factories.make_user(session)
    raw = services.issue_token(session, TokenPurpose.ACTIVATION, timedelta(hours=1), user=user)
    with pytest.raises(InvalidToken):
        services.peek_token(session, raw, TokenPurpose.RESET)


def test_setup_creates_an_admin_instructor_once(session):
    raw = services.issue_token(session, TokenPurpose.SETUP, timedelta(hours=1))
    second = services.issue_token(session, TokenPurpose.SETUP, timedelta(hours=1))
    admin = services.complete_setup(
        session, raw, email="head@school.test", name="Head", password="a good long password"
    )
    assert admin.role == Role.INSTRUCTOR and admin.is_admin
    with pytest.raises(InvalidToken, match="already set up"):
        services.complete_setup(
            session,
            second,
            email="other@school.test",
            name="Other",
            password="a good long password",
        )


def test_only_admins_create_instructors(session):
    plain = factories.make_instructor(session)
    with pytest.raises(DomainError):
        services.create_instructor(
            session, plain, email="x@school.test", name="X", ttl=timedelta(days=1)
        )
    admin = factories.make_instructor(session, is_admin=True)
    raw = services.create_instructor(
        session, admin, email="x@school.test", name="X", ttl=timedelta(days=1)
    )
    user = services.complete_token_password(
        session, raw, TokenPurpose.ACTIVATION, "chosen password!"
    )
    assert user.role == Role.INSTRUCTOR and user.is_activated


def test_revoking_leaves_only_the_newest_link_usable(session):
    user = factories.make_user(session)
    old = services.issue_token(session, TokenPurpose.RESET, timedelta(hours=1), user=user)
    services.revoke_tokens(session, user, TokenPurpose.RESET)
    new = services.issue_token(session, TokenPurpose.RESET, timedelta(hours=1), user=user)
    with pytest.raises(InvalidToken):
        services.peek_token(session, old, TokenPurpose.RESET)
    assert services.peek_token(session, new, TokenPurpose.RESET)


def test_a_startup_job_is_claimed_once_until_the_claim_lapses(app, session):
    now = utcnow()
    other = app.extensions["studyapp.sessionmaker"]()
    try:
        assert services.claim_startup_job(session, "setup-link", now, timedelta(hours=1))
        session.commit()
        # Another worker or server, at the same moment: the row is taken.
        assert not services.claim_startup_job(other, "setup-link", now, timedelta(hours=1))
        other.rollback()
        later = now + timedelta(hours=2)
        assert services.claim_startup_job(other, "setup-link", later, timedelta(hours=1))
        other.commit()
        assert not services.claim_startup_job(session, "setup-link", later, timedelta(hours=1))
    finally:
        other.close()
