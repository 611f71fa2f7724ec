/** Interchange with ONNX: a checked model's inference graph written as an ONNX model ({@link dln.onnx.OnnxExporter}). */
package dln.onnx;
