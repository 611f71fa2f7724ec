// The test ran, and the generated source names its .dln file relatively: no absolute path leaks in.
def log = new File(basedir, 'build.log').text
assert log.contains('Tests run: 2, Failures: 0, Errors: 0')
assert log.contains('Compiled 1 .dln file to target/generated-sources/dln: com.acme.Xor')

def java = new File(basedir, 'target/generated-sources/dln/com/acme/Xor.java').text
assert java.contains('compiled by dlnc from {@code com/acme/xor.dln}')
assert !java.contains(basedir.absolutePath)
assert new File(basedir, 'target/classes/com/acme/Xor.cl').isFile()
