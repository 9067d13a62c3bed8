// participants panel of the room page: filled in by its feature.
export function setupParticipants(/* { room, root, status } */) {}
