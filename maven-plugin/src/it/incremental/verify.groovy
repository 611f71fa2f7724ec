// The second build found both files up to date and left every file the first one wrote as it was.
def log = new File(basedir, 'build.log').text
assert log.contains('2 .dln files up to date')

def backdated = new java.text.SimpleDateFormat('yyyy-MM-dd HH:mm').parse('2001-01-01 00:00').time
def written = []
['target/generated-sources/dln', 'target/generated-resources/dln', 'target/dln-maven-plugin'].each { dir ->
    new File(basedir, dir).eachFileRecurse(groovy.io.FileType.FILES) { written << it }
}
assert written.size() == 5   // two .java, two .cl, the state file
written.each { assert it.lastModified() == backdated : "${it} was rewritten" }
true
