package fr.socle;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The map of the house. A package may use the packages of the layers below its own and, within its
 * layer, those it does not form a cycle with; nothing below ever reaches up. A new package must be
 * placed on this map before it compiles into a green build.
 *
 * <pre>
 *   node, cli                                  wiring, command line
 *   edge, management                           every incoming HTTP surface, one failure mapper
 *   negotiation, transfer, process             the DSP state machines and their shared kit
 *   catalog, audit, protocol, dataplane,       what the processes use: offers, the audit log,
 *   agreement                                  the DSP wire, bytes, agreement signatures
 *   store, trust, policy, canonical            database, federation PKI, OPA, canonical JSON
 * </pre>
 */
@AnalyzeClasses(packages = "fr.socle", importOptions = ImportOption.DoNotIncludeTests.class)
class LayeringTest {

  private static final String[] ENTRY = {"fr.socle.node..", "fr.socle.cli.."};
  private static final String[] EDGE = {"fr.socle.edge..", "fr.socle.management.."};
  private static final String[] PROCESS = {"fr.socle.negotiation..", "fr.socle.transfer..", "fr.socle.process.."};
  private static final String[] DOMAIN = {"fr.socle.catalog..", "fr.socle.audit..", "fr.socle.protocol..",
      "fr.socle.dataplane..", "fr.socle.agreement.."};
  private static final String[] BASE = {"fr.socle.store..", "fr.socle.trust..", "fr.socle.policy..",
      "fr.socle.canonical.."};

  @ArchTest
  static final ArchRule layersOnlyLookDown = layeredArchitecture().consideringOnlyDependenciesInLayers()
      .layer("entry").definedBy(ENTRY)
      .layer("edge").definedBy(EDGE)
      .layer("process").definedBy(PROCESS)
      .layer("domain").definedBy(DOMAIN)
      .layer("base").definedBy(BASE)
      .whereLayer("entry").mayNotBeAccessedByAnyLayer()
      .whereLayer("edge").mayOnlyBeAccessedByLayers("entry")
      .whereLayer("process").mayOnlyBeAccessedByLayers("entry", "edge")
      .whereLayer("domain").mayOnlyBeAccessedByLayers("entry", "edge", "process")
      .whereLayer("base").mayOnlyBeAccessedByLayers("entry", "edge", "process", "domain");

  @ArchTest
  static final ArchRule noTwoPackagesUseEachOther = slices().matching("fr.socle.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule everyPackageIsOnTheMap = classes().should()
      .resideInAnyPackage(concat(ENTRY, EDGE, PROCESS, DOMAIN, BASE))
      .because("a package that is not on the map escapes the layering rules");

  private static String[] concat(String[]... groups) {
    return java.util.Arrays.stream(groups).flatMap(java.util.Arrays::stream).toArray(String[]::new);
  }
}
