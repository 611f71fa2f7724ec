package dln.onnx;

/** Why one ONNX node (or tensor) has no DLN form; the importer adds where it is. */
final class Unmappable extends RuntimeException {
    Unmappable(String message) {
        super(message, null, false, false);
    }
}
