"""`make setup --non-interactive` that completes: each Drive credential form an answers file can give
(refresh token, existing destination.json, service-account key), each validated by a Drive call
against the emulator; wrong answers stop before any network call, with every reason at once."""
import datetime as dt
import json

import pytest

from integration_tests.emulators.drive.emulator import DriveEmulator
from tools.setup import __main__ as setup_main
from tools.setup.prompts import Prompter, SetupStopped
from tools.setup.wizard import Setup


def google_step(tmp_path, answers, drive_url=None):
    shown = []
    setup = Setup(Prompter(answers, interactive=False, out=shown.append), tmp_path / "secrets", dt.date(2026, 3, 1),
                  "UTC", drive_api_url=drive_url)
    setup.google(None)
    setup.choices()
    return setup, "\n".join(shown)


def test_given_a_refresh_token_and_its_client_when_unattended_then_drive_is_read_and_the_config_built(
        tmp_path, drive, client_file):
    token = drive.oauth_credentials()["refresh_token"]
    setup, text = google_step(tmp_path, {"google_refresh_token": token, "google_client_file": str(client_file)},
                              drive.url)
    assert "✓ signed in as" in text and "will be created at the first sync" in text
    assert setup.destination["credentials"]["refresh_token"] == token and token not in text
    assert drive.paths() == []                                    # read only


def test_given_a_revoked_refresh_token_when_unattended_then_setup_stops_saying_google_refused_it(
        tmp_path, drive, client_file):
    with pytest.raises(SetupStopped, match="Google refused these credentials") as stopped:
        google_step(tmp_path, {"google_refresh_token": "1//revoked", "google_client_file": str(client_file)},
                    drive.url)
    assert "1//revoked" not in str(stopped.value)


def test_given_an_existing_destination_json_when_unattended_then_its_credentials_and_choices_are_kept(
        tmp_path, drive):
    drive.create_user_folder("Books")                             # made by the person: drive.file cannot see it
    existing = drive.destination_config(root_folder_name="Books", period="quarter", timezone="Europe/Paris",
                                        share_with=[{"email": "acc@example.com", "role": "reader"}])
    path = tmp_path / "old destination.json"
    path.write_text(json.dumps(existing))
    setup, text = google_step(tmp_path, {"destination_file": f"'{path}'"})   # a quoted, dragged-in path
    assert "Root folder 'Books'" in text
    assert setup.destination["credentials"] == existing["credentials"]
    assert (setup.destination["period"], setup.destination["timezone"]) == ("quarter", "Europe/Paris")
    assert setup.destination["share_with"] == [{"email": "acc@example.com", "role": "reader"}]


def test_given_a_service_account_key_and_a_shared_drive_folder_when_unattended_then_it_is_validated(tmp_path):
    with DriveEmulator(service_account=True) as drive:
        shared = drive.create_shared_drive("Compta")
        key = tmp_path / "key.json"
        key.write_text(drive.service_account_credentials()["service_account_info"])
        setup, text = google_step(tmp_path, {"service_account_key_file": str(key), "parent_folder_id": shared},
                                  drive.url)
        assert "Root folder 'Qonto': will be created" in text and "drive.file" not in text
        assert setup.destination["parent_folder_id"] == shared
        assert setup.destination["credentials"]["auth_type"] == "service_account"
        with pytest.raises(SetupStopped, match="parent_folder_id nope is not visible"):
            google_step(tmp_path, {"service_account_key_file": str(key), "parent_folder_id": "nope"}, drive.url)


def test_given_several_wrong_answers_when_unattended_then_all_are_told_before_any_network_call(
        tmp_path, bank, drive, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"secret_key": "k", "timezone": "UTC+1", "start_date": "2025-02-30",
                                   "share_with": "accountant", "google_refresh_token": "t"}))
    code = setup_main.main(["--answers", str(answers), "--non-interactive", "--secrets", str(tmp_path / "s"),
                            "--bank-api-url", bank.url, "--drive-api-url", drive.url, "--sign-in", "paste"])
    err = capsys.readouterr().err
    assert code == 2
    for reason in ("timezone: UTC+1 is an offset", "start_date: 2025-02-30 is not a day", "share_with: accountant",
                   "No answer for organization_slug", "google_refresh_token needs its OAuth client"):
        assert reason in err
    assert bank.count() == 0 and sum(drive.counts.values()) == 0 and not (tmp_path / "s").exists()


def test_given_no_credential_form_and_no_browser_when_unattended_then_it_stops_before_the_bank(
        tmp_path, bank, capsys, monkeypatch):
    monkeypatch.setattr("tools.setup.__main__.can_open_browser", lambda: False)
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(bank.api_key_credentials()))
    assert setup_main.main(["--answers", str(answers), "--non-interactive", "--bank-api-url", bank.url]) == 2
    assert "give google_refresh_token, destination_file or service_account_key_file" in capsys.readouterr().err
    assert bank.count() == 0


@pytest.mark.slow
def test_given_every_answer_with_a_refresh_token_when_unattended_then_setup_completes_and_saves_both_configs(
        tmp_path, bank, drive, client_file, capsys):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**bank.api_key_credentials(), "google_client_file": str(client_file),
                                   "google_refresh_token": drive.oauth_credentials()["refresh_token"],
                                   "start_date": "2024-01-01", "timezone": "Europe/Paris", "schedule": "none"}))
    secrets = tmp_path / "secrets"
    code = setup_main.main(["--answers", str(answers), "--non-interactive", "--secrets", str(secrets),
                            "--state-dir", str(tmp_path / "state"), "--bank-api-url", bank.url,
                            "--drive-api-url", drive.url])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "Drive check passed" in out.out and "No schedule installed" in out.out
    assert "The first night backfills" not in out.out              # there is no first night without a schedule
    destination = json.loads((secrets / "destination.json").read_text())
    assert destination["credentials"]["refresh_token"] == drive.oauth_credentials()["refresh_token"]
    assert destination["timezone"] == "Europe/Paris" and drive.paths() == ["Qonto/"]
    assert bank.api_key_credentials()["secret_key"] not in out.out + out.err


@pytest.mark.parametrize("interactive, asked, scheduled, dry_run, code, words", [
    (False, "cron", True, False, 0, "Done. The first night backfills"),
    (False, "cron", False, False, 3, "nothing is scheduled. `make sync` runs a sync now, `make schedule`"),
    (False, "none", False, False, 0, "nothing is scheduled"),
    (True, "cron", False, False, 0, "nothing is scheduled"),
    (False, "cron", True, True, 0, "the schedule above was only printed (--dry-run-schedule)"),
], ids=["installed", "unattended-refused", "none-asked", "person-chose-none", "dry-run"])
def test_given_the_schedule_outcome_when_setup_ends_then_its_last_words_and_exit_code_are_true(
        tmp_path, interactive, asked, scheduled, dry_run, code, words):
    shown = []
    setup = Setup(Prompter({"schedule": asked}, interactive, out=shown.append), tmp_path, dt.date(2026, 3, 1), "UTC")
    args = setup_main.parse_args(["--secrets", str(tmp_path)] + (["--dry-run-schedule"] if dry_run else []))
    assert setup_main.finish(setup, args, scheduled) == code
    assert words in shown[-1]
    assert ("first night" in shown[-1]) == (scheduled and not dry_run)
