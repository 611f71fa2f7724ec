/** The emitters: a schedule becomes one Java class (JavaPoet) and one OpenCL program per model. */
package dln.emit;
