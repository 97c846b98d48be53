"""What a client is told when authentication fails: clear, and no help to an attacker.

Anything that could be a forgery (a bad signature, an unknown key id, a wrong issuer, a disallowed
algorithm, a malformed token, a wrong password, an unknown user or API token) gets the same
:data:`INVALID_CREDENTIALS`, so the answer is no oracle for which check failed. Only a token whose
signature *and* issuer were verified may learn more (expired, not yet valid, wrong audience): its
holder already has a genuine token, and the detail tells them what to fix.
"""

from __future__ import annotations

INVALID_CREDENTIALS = "invalid credentials"
TOKEN_EXPIRED = "token expired"  # noqa: S105 (messages, not secrets)
TOKEN_NOT_YET_VALID = "token not yet valid"  # noqa: S105
WRONG_AUDIENCE = "token not valid for this service"
UNUSABLE_CLAIMS = "token has no usable user name"
KEYS_UNAVAILABLE = "tokens cannot be verified right now; retry later"
CREDENTIALS_REQUIRED = "authentication required: send an Authorization header (Basic or Bearer)"
NO_METHOD = "authentication is required and no method is configured on this server"
MALFORMED_HEADER = "malformed Authorization header"
UNSUPPORTED_SCHEME = "unsupported Authorization scheme: use Basic or Bearer"
BASIC_DISABLED = "Basic authentication is not enabled on this server"
BEARER_DISABLED = "JWT bearer tokens are not enabled on this server"
UNUSABLE_GROUPS = "token's groups claim is not a list of names"
API_TOKENS_DISABLED = "API tokens are not enabled on this server"
