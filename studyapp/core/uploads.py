"""Uploaded text files: size-checked before decoding, UTF-8 (with or without a BOM)."""

from studyapp.core.errors import DomainError


def decode_text_upload(data: bytes, max_bytes: int) -> str:
    """The upload's text, or a DomainError a user can act on."""
    if len(data) > max_bytes:
        raise DomainError(f"The file is larger than {max_bytes // 1024} KB.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DomainError(
            f"The file is not UTF-8 text (byte {exc.start + 1} cannot be read). "
            "Save it as UTF-8 and upload it again."
        ) from None


def read_upload(storage, max_bytes: int) -> bytes:
    """Read at most ``max_bytes + 1`` bytes (enough to tell it is too big) and close the file."""
    try:
        return storage.stream.read(max_bytes + 1)
    finally:
        # Large uploads are spooled to a temporary file; release it now, not at GC.
        storage.close()
