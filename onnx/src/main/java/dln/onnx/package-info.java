/**
 * Interchange with ONNX: a checked model's inference graph written as an ONNX model
 * ({@link dln.onnx.OnnxExporter}), and an ONNX model read back as a .dln file and its weights
 * ({@link dln.onnx.OnnxImporter}).
 */
package dln.onnx;
