// captions panel of the room page: filled in by its feature.
export function setupCaptions(/* { room, root, status } */) {}
