// tower.dln compiled with its imported block and constant; blocks.dln, which holds no model, generated nothing.
def log = new File(basedir, 'build.log').text
assert log.contains('Compiled 2 .dln files to target/generated-sources/dln: com.acme.Tower')
assert new File(basedir, 'target/classes/com/acme/Tower.class').isFile()
assert new File(basedir, 'target/classes/com/acme/Use.class').isFile()
def state = new File(basedir, 'target/dln-maven-plugin/default.state').text
assert state.contains('source com/acme/tower.dln')
assert state.contains('read com/acme/layers/blocks.dln')
