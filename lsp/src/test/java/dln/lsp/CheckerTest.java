package dln.lsp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class CheckerTest {
    // Closing the server interrupts a check under way (CI once logged that as an internal error,
    // "interrupted while compiling"): it is the server going away, not a failure.
    @Test void closingDuringACheckLogsNoError() throws Exception {
        String uri = "file:///tmp/big.dln";
        String text = "model Big {\n input x: [4]\n output y = x" + " -> dense(4)".repeat(40_000) + "\n}\n";
        Documents documents = new Documents();
        documents.open(new Document(uri, 1, text));
        List<String> errors = new CopyOnWriteArrayList<>();
        Checker checker = new Checker(documents, published -> {}, TestLog.into(errors));
        checker.schedule(uri, 0);
        Thread.sleep(300);   // the check of 40,000 layers takes seconds: close while it runs
        checker.close();
        Thread.sleep(1000);
        assertThat(errors).isEmpty();
    }
}
