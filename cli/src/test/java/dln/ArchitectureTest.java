package dln;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of every module's main code, as the command line's classpath sees it (it sees them
 * all but the language server and the Maven plugin, which stand on the compiler beside it): no
 * package depends on itself through others, and each module uses only those below it: runtime,
 * then the compiler (every other dln package, so that new ones are held to it without naming
 * them here), then ONNX export and training beside each other, then the command line.
 */
class ArchitectureTest {
    private static JavaClasses main;

    @BeforeAll
    static void importMainCode() {
        main = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("dln");
        // a guard against an import that finds nothing and so passes every rule
        assertThat(main.containPackage("dln.runtime.kernel") && main.containPackage("dln.cli")).as("dln's main classes").isTrue();
    }

    @Test
    void noPackageDependsOnItselfThroughOthers() {
        slices().matching("(**)").should().beFreeOfCycles().check(main);
    }

    @Test
    void eachModuleUsesOnlyTheModulesBelowIt() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("runtime").definedBy("dln.runtime..")
                .layer("compiler").definedBy(resideInAPackage("dln..").and(not(resideInAnyPackage("dln.runtime..", "dln.onnx..", "dln.train..", "dln.cli.."))))
                .layer("onnx").definedBy("dln.onnx..")
                .layer("train").definedBy("dln.train..")
                .layer("cli").definedBy("dln.cli..")
                .whereLayer("cli").mayNotBeAccessedByAnyLayer()
                .whereLayer("train").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("onnx").mayOnlyBeAccessedByLayers("cli")
                .whereLayer("compiler").mayOnlyBeAccessedByLayers("onnx", "train", "cli")
                .check(main);
    }
}
