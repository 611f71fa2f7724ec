/** Training support shared by the commands: loading the data a train block names. */
package dln.train;
