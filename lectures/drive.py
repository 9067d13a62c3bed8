"""The one module that talks to Google: OAuth (google-auth-oauthlib) and Drive uploads (google-api-python-client).

Each account connects once; its refresh token is stored encrypted (Fernet, keyed from DRIVE_TOKEN_KEY or
SECRET_KEY). Uploads go into a "Lectern" folder the app creates; the `drive.file` scope lets Lectern see
only the files it made. Tests give `upload_files` an httplib2-compatible transport (googleapiclient's
HttpMockSequence) in place of the network; nothing else here changes for them.
"""

import base64
import io
from dataclasses import dataclass
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

DRIVE_SCOPE = "https://www.googleapis.com/auth/drive.file"
FOLDER_NAME = "Lectern"
FOLDER_MIME = "application/vnd.google-apps.folder"
_RESUMABLE_ABOVE = 5 * 1024 * 1024  # Drive's multipart upload is for small files; larger ones resume


class DriveError(Exception):
    """Google said no, or could not be reached; the message is meant for the user."""


class DriveNotConfigured(DriveError):
    def __init__(self) -> None:
        super().__init__(
            "Google Drive export is not configured on this server: an administrator needs to set "
            "GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET."
        )


class DriveAuthorizationLost(DriveError):
    """The stored refresh token no longer works (revoked, expired, or the key changed): connect again."""


@dataclass(frozen=True)
class AuthorizationRequest:
    url: str
    state: str
    code_verifier: str


@dataclass(frozen=True)
class UploadFile:
    name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class UploadedFile:
    id: str
    name: str
    link: str


def is_configured() -> bool:
    return bool(settings.GOOGLE_CLIENT_ID and settings.GOOGLE_CLIENT_SECRET)


def _client_config(redirect_uri: str) -> dict[str, Any]:
    return {
        "web": {
            "client_id": settings.GOOGLE_CLIENT_ID,
            "client_secret": settings.GOOGLE_CLIENT_SECRET,
            "auth_uri": settings.GOOGLE_OAUTH_AUTH_URI,
            "token_uri": settings.GOOGLE_OAUTH_TOKEN_URI,
            "redirect_uris": [redirect_uri],
        }
    }


def _flow(*, redirect_uri: str, state: str | None = None, code_verifier: str | None = None) -> Any:
    if not is_configured():
        raise DriveNotConfigured()
    from google_auth_oauthlib.flow import Flow

    return Flow.from_client_config(
        _client_config(redirect_uri),
        scopes=[DRIVE_SCOPE],
        redirect_uri=redirect_uri,
        state=state,
        code_verifier=code_verifier,
    )


def authorization_request(*, redirect_uri: str) -> AuthorizationRequest:
    """Where to send the browser to grant Lectern access to its own Drive files (PKCE, offline access)."""
    flow = _flow(redirect_uri=redirect_uri)
    url, state = flow.authorization_url(access_type="offline", prompt="consent")
    return AuthorizationRequest(url=url, state=state, code_verifier=flow.code_verifier)


def exchange_code(*, redirect_uri: str, state: str, code_verifier: str, code: str) -> str:
    """Trade the authorization code for a refresh token at Google's token endpoint."""
    flow = _flow(redirect_uri=redirect_uri, state=state, code_verifier=code_verifier)
    try:
        token = flow.fetch_token(code=code)
    except Exception as exc:  # oauthlib and requests raise many kinds; all mean "no token"
        raise DriveError(f"Google did not accept the authorization ({type(exc).__name__}).") from exc
    refresh_token = token.get("refresh_token")
    if not refresh_token:
        raise DriveError("Google sent no refresh token; remove Lectern's access in your Google account and try again.")
    return str(refresh_token)


def _fernet() -> Fernet:
    material = (settings.DRIVE_TOKEN_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lectern drive refresh token").derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def seal_refresh_token(token: str) -> str:
    """The refresh token encrypted for storage."""
    return _fernet().encrypt(token.encode()).decode()


def open_refresh_token(sealed: str) -> str:
    """The stored refresh token in clear; DriveAuthorizationLost when the key changed or it was altered."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise DriveAuthorizationLost(
            "The saved Google Drive connection can no longer be read; connect again."
        ) from None


def _service(*, refresh_token: str, http: Any | None) -> Any:
    import httplib2
    from google.oauth2.credentials import Credentials
    from google_auth_httplib2 import AuthorizedHttp
    from googleapiclient.discovery import build

    credentials = Credentials(
        token=None,
        refresh_token=refresh_token,
        token_uri=settings.GOOGLE_OAUTH_TOKEN_URI,
        client_id=settings.GOOGLE_CLIENT_ID,
        client_secret=settings.GOOGLE_CLIENT_SECRET,
        scopes=[DRIVE_SCOPE],
    )
    transport = AuthorizedHttp(credentials, http=http if http is not None else httplib2.Http(timeout=30))
    return build("drive", "v3", http=transport, cache_discovery=False, static_discovery=True)


def _escape_query(value: str) -> str:
    return value.replace("\\", "\\\\").replace("'", "\\'")


def _folder_id(service: Any) -> str:
    found = (
        service.files()
        .list(
            q=f"name = '{_escape_query(FOLDER_NAME)}' and mimeType = '{FOLDER_MIME}' and trashed = false",
            spaces="drive",
            fields="files(id, name)",
            pageSize=1,
        )
        .execute()
    )
    files = found.get("files", [])
    if files:
        return str(files[0]["id"])
    created = service.files().create(body={"name": FOLDER_NAME, "mimeType": FOLDER_MIME}, fields="id").execute()
    return str(created["id"])


def upload_files(*, refresh_token: str, files: list[UploadFile], http: Any | None = None) -> list[UploadedFile]:
    """Upload the files into the account's "Lectern" folder (created once), returning their Drive links."""
    if not is_configured():
        raise DriveNotConfigured()
    import httplib2
    from google.auth.exceptions import RefreshError, TransportError
    from googleapiclient.errors import HttpError
    from googleapiclient.http import MediaIoBaseUpload

    try:
        service = _service(refresh_token=refresh_token, http=http)
        folder = _folder_id(service)
        uploaded = []
        for item in files:
            media = MediaIoBaseUpload(
                io.BytesIO(item.content), mimetype=item.mime_type, resumable=len(item.content) > _RESUMABLE_ABOVE
            )
            result = (
                service.files()
                .create(
                    body={"name": item.name, "parents": [folder]},
                    media_body=media,
                    fields="id, name, webViewLink",
                )
                .execute()
            )
            uploaded.append(
                UploadedFile(
                    id=str(result["id"]), name=str(result.get("name", item.name)), link=result.get("webViewLink", "")
                )
            )
        return uploaded
    except RefreshError as exc:
        raise DriveAuthorizationLost("Google no longer accepts Lectern's access to your Drive; connect again.") from exc
    except HttpError as exc:
        raise DriveError(f"Google Drive refused the upload ({exc.status_code}).") from exc
    except (TransportError, httplib2.HttpLib2Error, OSError) as exc:
        raise DriveError("Google Drive could not be reached; try again in a moment.") from exc
