"""The LiveKit webhook events Lectern acts on: all LiveKit is configured to send (webhook.filter_params
in scripts/livekit.sh and deploy/livekit/livekit.yaml), since a room's events wait in one queue."""

PRESENCE = ("participant_joined", "participant_left", "participant_connection_aborted")
EGRESS = ("egress_started", "egress_updated", "egress_ended")
EVENTS = ("room_started", "room_finished", *PRESENCE, *EGRESS)
