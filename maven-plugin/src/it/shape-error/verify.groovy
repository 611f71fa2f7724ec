// The error is logged at its place, with the compiler's code and help, and the build fails with the count.
def log = new File(basedir, 'build.log').text
assert log.contains('[ERROR] src/main/dln/nets/broken.dln:6:12: error[DLN041]: dense expects a 1-D input, but its input has shape [6, 14, 14]')
assert log.contains('help: insert `-> flatten` before `dense(10)`')
assert log.contains('1 error in .dln files')
assert new File(basedir, 'target/generated-sources/dln/nets/Fine.java').isFile()
assert !new File(basedir, 'target/generated-sources/dln/nets/Broken.java').exists()
