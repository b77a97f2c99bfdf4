package fr.socle.containers;

import com.github.dockerjava.api.exception.NotFoundException;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;

/**
 * The images launchers/build-images.sh builds. They are local only (no registry is reachable), so a
 * missing image is reported with the command that builds it rather than as a failed pull.
 */
final class Images {

  /** Podman files locally built images under the {@code localhost/} prefix. */
  private static final String PREFIX = System.getProperty("socle.image.prefix", "localhost/");
  private static final String TAG = System.getProperty("socle.image.tag", "dev");

  static final DockerImageName NODE = DockerImageName.parse(PREFIX + "socle-node:" + TAG);
  static final DockerImageName OPA = DockerImageName.parse(PREFIX + "socle-opa:" + TAG);

  private Images() {
  }

  /** Fails with what to run when the images have not been built on this machine. */
  static void requireBuilt() {
    for (DockerImageName image : new DockerImageName[] {NODE, OPA}) {
      try {
        DockerClientFactory.instance().client().inspectImageCmd(image.asCanonicalNameString()).exec();
      } catch (NotFoundException e) {
        throw new IllegalStateException("image " + image.asCanonicalNameString() + " is not on this machine: build it "
            + "with launchers/build-images.sh (launchers/test.sh does)");
      }
    }
  }
}
