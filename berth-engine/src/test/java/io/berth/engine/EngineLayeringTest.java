package io.berth.engine;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The engine's subsystems meet through shared values (spec records, Mount, Digest) and the role
 * interfaces, never through each other's classes. This makes the rule from ARCHITECTURE.md executable:
 * each row names a package and the only engine packages it may use.
 */
class EngineLayeringTest {
    private static final Set<String> ALL = Set.of("archive", "content", "registry", "snapshot", "store", "sys", "image", "system", "runtime", "oci", "container", "volume", "network");
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.berth.engine");
    }

    @ParameterizedTest(name = "{0} may use only [{1}]")
    @CsvSource(delimiter = ';', value = {
            "archive; sys",
            "content; ''",
            "oci; sys",
            "registry; content",
            "snapshot; store sys",
            "store; ''",
            "sys; ''",
            "system; registry",
            "runtime; sys",
            "container; runtime oci snapshot store image sys archive volume network", // archive: docker cp extracts with SafeLayerApplier
            "volume; store",
            "network; store oci sys", // oci: ContainerNetworking.configure sets the namespace and resolver mounts; sys: mount(2) for netns files
    })
    void packageUsesOnlyAllowedSiblings(String pkg, String allowed) {
        Set<String> ok = Arrays.stream(allowed.split(" ")).filter(s -> !s.isBlank()).collect(Collectors.toSet());
        String[] forbidden = ALL.stream().filter(p -> !p.equals(pkg) && !ok.contains(p))
                .map(p -> "io.berth.engine." + p + "..").toArray(String[]::new);
        noClasses().that().resideInAPackage("io.berth.engine." + pkg + "..")
                .should().dependOnClassesThat().resideInAnyPackage(forbidden)
                .allowEmptyShould(true)
                .check(classes);
    }
}
