"""The cluster stops cleanly: Ctrl-C (SIGTERM to honcho) ends every process within a bound, even
livekit-server with a participant connected (it drains rather than exits on SIGTERM)."""

from typing import Any

import pytest

from accounts.models import User
from tests.conftest import run_async
from tests.infra.conftest import Cluster, port_open
from tests.infra.test_cluster import Browser, create_and_open_room, host_session

pytestmark = pytest.mark.django_db(transaction=True)
STOP_BOUND = 15.0  # honcho's 5 s grace before SIGKILL, plus start-up of the kill


def test_the_cluster_stops_within_a_bound_with_a_participant_connected(
    cluster: Cluster, host: User, peers: Any
) -> None:
    sessionid = host_session(host)

    async def open_room() -> dict[str, Any]:
        professor = Browser.open(cluster, sessionid=sessionid)
        try:
            return (await create_and_open_room(professor, cluster.web[0], lobby=True))[1]
        finally:
            await professor.session.close()

    participant = peers.connect(run_async(open_room()))
    assert participant.connected

    elapsed = cluster.stop()

    assert elapsed < STOP_BOUND
    assert [port for port in cluster.ports if port_open(port)] == []
