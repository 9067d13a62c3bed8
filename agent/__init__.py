"""The LiveKit Agents worker: joins rooms, transcribes speakers, publishes captions."""
