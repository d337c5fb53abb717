"""Console commands: the setup link and the demo class."""

from sqlalchemy import func, select

from studyapp.auth.models import Role, User
from studyapp.classes.models import Enrollment
from tests import factories
from tests.conftest import login


def test_setup_link_command_prints_a_working_link(app, runner):
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code == 0
    link = result.output.strip()
    assert link.startswith("http://localhost/setup/")
    assert app.test_client().get(link.removeprefix("http://localhost")).status_code == 200


def test_setup_link_command_refuses_once_an_instructor_exists(runner, instructor):
    result = runner.invoke(args=["setup-link"])
    assert result.exit_code != 0 and "already exists" in result.output


def test_demo_seeds_one_instructor_and_thirty_students_with_printed_logins(app, runner, session):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines() if line.startswith("  ")]
    assert sum(1 for p in lines if p[0] == "instructor") == 1
    assert sum(1 for p in lines if p[0] == "student") == 30
    assert session.scalar(select(func.count(Enrollment.id))) == 30
    role, email, password = lines[1][:3]
    client = app.test_client()
    assert login(client, email, password).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "The S-400 and its costs (demo)" in home and "To do" in home


def test_demo_run_again_prints_new_passwords_and_no_duplicates(runner, session):
    first = runner.invoke(args=["demo", "--students", "3"]).output
    second = runner.invoke(args=["demo", "--students", "3"]).output
    assert first != second
    assert session.scalar(select(func.count(User.id)).where(User.role == Role.STUDENT)) == 3


def test_no_default_password_exists_outside_the_demo(session):
    # Accounts made by rosters wait for activation; nothing has a known password.
    user = factories.make_user(session, password=None)
    assert user.password_hash is None
