// Turn getUserMedia / getDisplayMedia failures into short, human messages.
import { MediaDeviceFailure } from 'livekit-client';

const NAMES = { camera: 'Camera', microphone: 'Microphone', screen: 'Screen sharing' };

export function describeMediaError(kind, err) {
  const name = NAMES[kind] || kind;
  if (!window.isSecureContext || !navigator.mediaDevices) {
    return `${name} needs a secure (https) page`;
  }
  switch (MediaDeviceFailure.getFailure(err)) {
    case MediaDeviceFailure.PermissionDenied:
      return `${name} blocked — allow it in the browser's site settings`;
    case MediaDeviceFailure.NotFound:
      return `No ${name.toLowerCase()} found — connect one and try again`;
    case MediaDeviceFailure.DeviceInUse:
      return `${name} is in use by another app`;
    default:
      return `${name} unavailable: ${err?.message || err}`;
  }
}

/** True when the user just closed the screen picker (not worth a warning). */
export function isUserCancel(err) {
  return MediaDeviceFailure.getFailure(err) === MediaDeviceFailure.PermissionDenied;
}

/**
 * Turn on camera and microphone. Tries both at once first (one permission
 * prompt), then each on its own so one failing does not block the other.
 * `report(kind, errorOrNull)` is called for each device.
 */
export async function enableCameraAndMicrophone(localParticipant, report) {
  try {
    await localParticipant.enableCameraAndMicrophone();
    report('camera', null);
    report('microphone', null);
    return;
  } catch {
    // fall back to one device at a time
  }
  for (const [kind, enable] of [
    ['camera', () => localParticipant.setCameraEnabled(true)],
    ['microphone', () => localParticipant.setMicrophoneEnabled(true)],
  ]) {
    try {
      await enable();
      report(kind, null);
    } catch (err) {
      report(kind, err);
    }
  }
}
