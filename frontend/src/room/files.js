// files panel of the room page: filled in by its feature.
export function setupFiles(/* { room, root, status } */) {}
