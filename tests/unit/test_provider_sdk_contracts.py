"""Our line clients make the requests the providers' own SDKs make (sendblue, blooio, linq-python,
from PyPI, generated from each provider's OpenAPI description): each SDK and our client call one
loopback recorder, and method, path, query, auth headers and JSON body must match. Then the demo
line is driven by linq-python, its answers read with strict validation: it speaks Linq v3 as Linq's
own client expects."""

import blooio
import linq
import pytest
import sendblue_api

from availability.lines import LineConfig, client_for
from availability.outcomes import Outcome
from demo_line import DemoLineServer
from recorder import Recorder

PHONE, EMAIL, SENDER = "+447946095800", "ada+crm@icloud.com", "+12025550100"


@pytest.fixture
def recorder():
    server = Recorder()
    yield server
    server.stop()


def ours(provider, url, secret, sender=SENDER):
    return client_for(LineConfig(provider, url, secret, sender), read_timeout=2, allow_private=True)


def same_request(recorder, auth_headers, sdk_call, our_call):
    """Run the SDK's call, then ours, against the recorder; the two requests must match."""
    sdk_call()
    result = our_call()
    theirs, mine = recorder.requests[-2:]
    assert (mine.method, mine.path, mine.query) == (theirs.method, theirs.path, theirs.query)
    assert {h: mine.headers.get(h) for h in auth_headers} == {h: theirs.headers[h] for h in auth_headers}
    assert mine.json == theirs.json
    if theirs.body:
        assert mine.headers["content-type"] == theirs.headers["content-type"] == "application/json"
    return theirs, mine, result


# --- Sendblue ----------------------------------------------------------------------------------

SENDBLUE_AUTH = ("sb-api-key-id", "sb-api-secret-key")


def sendblue_sdk(recorder):
    return sendblue_api.SendblueAPI(api_key="key-id", api_secret="secret-key", base_url=recorder.url, max_retries=0)


@pytest.mark.parametrize("address, service", [(PHONE, "iMessage"), (EMAIL, "SMS")])
def test_sendblue_check_is_the_sdks_lookup(recorder, address, service):
    recorder.reply(200, {"number": address, "service": service})
    answers = []
    _, mine, result = same_request(
        recorder,
        SENDBLUE_AUTH,
        lambda: answers.append(sendblue_sdk(recorder).lookups.lookup_number(number=address)),
        lambda: ours("sendblue", recorder.url, "key-id:secret-key").check(address),
    )
    assert mine.path == "/api/evaluate-service" and mine.query == {"number": [address]}
    # The SDK and we read the same answer alike.
    assert answers[0].service == service
    assert result.outcome is (Outcome.AVAILABLE if service == "iMessage" else Outcome.UNAVAILABLE)


def test_sendblue_send_is_the_sdks_send_message(recorder):
    recorder.reply(200, {"status": "QUEUED", "number": PHONE, "content": "Hi", "from_number": SENDER})
    _, mine, result = same_request(
        recorder,
        SENDBLUE_AUTH,
        lambda: sendblue_sdk(recorder).messages.send(number=PHONE, content="Hi", from_number=SENDER),
        lambda: ours("sendblue", recorder.url, "key-id:secret-key").send(PHONE, "Hi", "imessage"),
    )
    assert (mine.method, mine.path) == ("POST", "/api/send-message") and result.sent


# --- Blooio ------------------------------------------------------------------------------------

BLOOIO_AUTH = ("authorization",)


def blooio_sdk(recorder):
    return blooio.Blooio(api_key="bl-key", base_url=recorder.url + "/v2/api", max_retries=0)


@pytest.mark.parametrize("address", [PHONE, EMAIL])
def test_blooio_check_is_the_sdks_check_capabilities(recorder, address):
    recorder.reply(200, {"contact": address, "type": "phone", "capabilities": {"imessage": True, "sms": True}})
    answers = []
    theirs, mine, result = same_request(
        recorder,
        BLOOIO_AUTH,
        lambda: answers.append(blooio_sdk(recorder).contacts.check_capabilities(address)),
        lambda: ours("blooio", recorder.url + "/v2/api", "bl-key").check(address),
    )
    assert mine.path == f"/v2/api/contacts/{address}/capabilities"
    # The one difference on the wire: the SDK leaves "+" and "@" raw in the path, where they are
    # literal; we encode them, as Blooio's docs write it (%2B). Both decode to the same segment.
    assert "%2B" in mine.target and "+" in theirs.target
    assert answers[0].capabilities.imessage is True and result.outcome is Outcome.AVAILABLE


def test_blooio_send_is_the_sdks_send_message(recorder):
    recorder.reply(200, {"message_id": "m1", "status": "queued"})
    _, mine, result = same_request(
        recorder,
        BLOOIO_AUTH,
        lambda: blooio_sdk(recorder).chats.messages.send(PHONE, text="Hi", from_number=SENDER),
        lambda: ours("blooio", recorder.url + "/v2/api", "bl-key").send(PHONE, "Hi", "imessage"),
    )
    assert (mine.method, mine.path, mine.json) == (
        "POST",
        f"/v2/api/chats/{PHONE}/messages",
        {"text": "Hi", "from_number": SENDER},
    )
    assert result.sent


# --- Linq v3 -----------------------------------------------------------------------------------

LINQ_AUTH = ("authorization",)


def linq_sdk(url, key="sk-linq", strict=False):
    """`url`: the server root; Linq's SDK takes .../api/partner and adds /v3 to each path."""
    return linq.LinqAPIV3(api_key=key, base_url=url + "/api/partner", max_retries=0, _strict_response_validation=strict)


@pytest.mark.parametrize("sender", [SENDER, None])
def test_linq_check_is_the_sdks_check_imessage(recorder, sender):
    recorder.reply(200, {"address": PHONE, "available": True})
    from_ = {"from_": sender} if sender else {}
    same_request(
        recorder,
        LINQ_AUTH,
        lambda: linq_sdk(recorder.url).capability.check_i_message(address=PHONE, **from_),
        lambda: ours("linq", recorder.url + "/api/partner/v3", "sk-linq", sender).check(PHONE),
    )
    assert recorder.last().path == "/api/partner/v3/capability/check_imessage"


def test_linq_send_is_the_sdks_create_chat(recorder):
    recorder.reply(201, {"chat": {"id": "c1"}})
    message = {"parts": [{"type": "text", "value": "Hi"}]}
    _, mine, result = same_request(
        recorder,
        LINQ_AUTH,
        lambda: linq_sdk(recorder.url).chats.create(from_=SENDER, to=[PHONE], message=message),
        lambda: ours("linq", recorder.url + "/api/partner/v3", "sk-linq").send(PHONE, "Hi", "imessage"),
    )
    assert mine.path == "/api/partner/v3/chats" and result.sent


# --- The demo line, as Linq's own client sees it -----------------------------------------------


@pytest.fixture
def demo():
    with DemoLineServer(api_key="demo-key") as server:
        yield server


def demo_root(demo):
    return demo.url.removesuffix("/api/partner/v3")


def test_linq_python_checks_through_the_demo_line(demo):
    sdk = linq_sdk(demo_root(demo), key="demo-key", strict=True)
    assert sdk.capability.check_i_message(address="+12025550142").available is True
    negative = sdk.capability.check_i_message(address="+12025550143", from_=SENDER)
    assert (negative.available, negative.reason) == (False, "not_supported")
    assert sdk.capability.check_i_message(address="grace@icloud.com").available is True
    with pytest.raises(linq.BadRequestError) as invalid:
        sdk.capability.check_i_message(address="12345")
    assert invalid.value.status_code == 400 and invalid.value.body["code"] == 1002
    with pytest.raises(linq.AuthenticationError):
        linq_sdk(demo_root(demo), key="wrong", strict=True).capability.check_i_message(address="+12025550142")


def test_linq_python_creates_a_chat_on_the_demo_line(demo):
    sdk = linq_sdk(demo_root(demo), key="demo-key", strict=True)
    message = {"parts": [{"type": "text", "value": "Hello"}]}
    created = sdk.chats.create(from_=SENDER, to=["+12025550142"], message=message)
    chat = created.chat
    assert (chat.id, chat.service, chat.is_group, chat.health_status.status) == (
        "demo-chat-1",
        "iMessage",
        False,
        "HEALTHY",
    )
    assert [h.handle for h in chat.handles] == [SENDER, "+12025550142"]
    assert chat.message.parts[0].value == "Hello" and chat.message.delivery_status == "queued"
    assert sdk.chats.create(from_=SENDER, to=["+12025550143"], message=message).chat.service == "SMS"
    assert demo.sent[0] == {"to": ["+12025550142"], "text": "Hello", "chat_id": "demo-chat-1"}
    with pytest.raises(linq.BadRequestError):
        sdk.chats.create(from_=SENDER, to=[], message=message)


def test_linq_python_is_told_to_wait_by_the_demo_line(demo):
    demo.rate_per_minute = 1
    sdk = linq_sdk(demo_root(demo), key="demo-key", strict=True)
    sdk.capability.check_i_message(address="+12025550142")
    with pytest.raises(linq.RateLimitError) as limited:
        sdk.capability.check_i_message(address="+12025550142")
    assert limited.value.body["retry_after"] > 0 and int(limited.value.response.headers["Retry-After"]) > 0
