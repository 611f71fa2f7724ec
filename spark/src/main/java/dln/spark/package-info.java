/** Data-parallel training on Apache Spark (docs/SCALE.md). */
package dln.spark;
