// Whether this program runs as the single executable (Node with the bundle inside, built by
// scripts/build-sea.mjs): there the binary is both Node and the script, so what starts it again (the
// boot unit, the kernel hook) names the binary alone.

// Replaced by a constant in the bundles (scripts/bundle.mjs, scripts/build-sea.mjs); undefined when the
// compiled sources run directly (tests).
declare const __VFIO_DOCTOR_SINGLE_EXECUTABLE__: boolean | undefined;

export function isSingleExecutable(): boolean {
  return typeof __VFIO_DOCTOR_SINGLE_EXECUTABLE__ !== 'undefined' && __VFIO_DOCTOR_SINGLE_EXECUTABLE__ === true;
}
