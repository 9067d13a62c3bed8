// lobby panel of the room page: filled in by its feature.
export function setupLobby(/* { room, root, status } */) {}
