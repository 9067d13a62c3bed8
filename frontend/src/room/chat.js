// chat panel of the room page: filled in by its feature.
export function setupChat(/* { room, root, status } */) {}
