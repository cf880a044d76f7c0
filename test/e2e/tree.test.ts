/**
 * The Nodes tree in a real VS Code (code-server) in Chromium, on this machine's real containers (the rig),
 * held against what Docker, containerd and the layer directories say: the rig containers by name with
 * their namespaces, limits and capabilities; the containerd pod under kubernetes; the layers with their
 * whiteout, opaque dir and shared base; a container started while the view is open. Screenshots land in
 * test-results/e2e/.
 */
import { after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'child_process';
import {
  BASE_IMAGE,
  BASE_LAYER_USERS_AT_LEAST,
  E2E_CONTAINERS,
  E2E_SETTINGS,
  LIMITED,
  LIMITED_LAYERS,
  OPAQUE_DIR,
  RIG_CTR_CONTAINER,
  RIG_DOCKER_CONTAINERS,
  RIG_K8S,
  WHITEOUT_PATH,
} from '../fixtures/e2eRig';
import { containersOnBaseLayer, inspect, mebibytes, reEscape } from '../support/dockerFacts';
import { e2eSkip } from '../support/e2eNeeds';
import { collapse, expand, expandRow, labelled, rows, sidebarText, until } from '../support/nodesTreePage';
import { nodescopeSession } from '../support/nodescopeSession';
import { rigUp } from '../support/real';

const NEW = E2E_CONTAINERS.live;

describe('the Nodes tree against Docker and containerd', { skip: e2eSkip(), timeout: 400_000 }, () => {
  const ui = nodescopeSession();

  before(async () => {
    rigUp();
    spawnSync('docker', ['rm', '-f', NEW.name]);
    await ui.open(E2E_SETTINGS);
  });

  after(async () => {
    spawnSync('docker', ['rm', '-f', NEW.name]);
    await ui.close();
  });

  ui.step('2. the local node shows the rig containers by name, with namespaces, cgroup limits and capabilities', async () => {
    const page = ui.page;
    await expand(page, /^\s*Containers/);
    await expand(page, /^\s*docker/);
    for (const name of RIG_DOCKER_CONTAINERS) await rows(page, name).first().waitFor();
    await expand(page, /^\s*bare/);
    await rows(page, 'bare-').first().waitFor();
    await expand(page, LIMITED);
    await expand(page, /Namespaces.*shares host/);
    await rows(page, /^\s*net\s*\[\d+\]\s*·\s*own/)
      .first()
      .waitFor();
    await expand(page, /^\s*cgroup\s*mem/);
    await ui.vs.shot('02-container-details');
    const text = await sidebarText(page);
    const mib = mebibytes(inspect('{{.HostConfig.Memory}}', LIMITED));
    const cpus = Number(inspect('{{.HostConfig.NanoCpus}}', LIMITED)) / 1e9;
    assert.match(text, new RegExp(`${reEscape(mib)} MiB`), `memory limit docker reports: ${mib} MiB`);
    assert.match(text, new RegExp(`/ ${inspect('{{.HostConfig.PidsLimit}}', LIMITED)}\\b`), 'pids limit docker reports');
    assert.match(text, new RegExp(`(?<![\\d.])${reEscape(String(cpus))} CPU`), `cpu limit docker reports: ${cpus}`);
    // The tree is a virtualized list: rows scrolled out of view are not in the page. Keep it short.
    await collapse(page, /Namespaces.*shares host/);
    await collapse(page, /^\s*cgroup\s*mem/);
    await expand(page, /Capabilities.*effective/);
    await rows(page, /CAP_SYS_PTRACE.*added/)
      .first()
      .waitFor();
    await rows(page, /CAP_NET_RAW.*dropped/)
      .first()
      .waitFor();
    await ui.vs.shot('02b-capabilities');
    await collapse(page, /Capabilities.*effective/);
    await collapse(page, /^\s*bare/);
  });

  ui.step(
    "2c. the rig containerd's pod container is under kubernetes as namespace/pod · container, its plain one under containerd",
    async () => {
      const page = ui.page;
      // What the pod is, from containerd's own record of the container (the CRI annotations in its spec).
      const info = JSON.parse(
        execFileSync('ctr', ['--address', RIG_K8S.socket, '-n', RIG_K8S.namespace, 'containers', 'info', RIG_K8S.container], {
          encoding: 'utf8',
        }),
      );
      const ann = info.Spec.annotations as Record<string, string>;
      const podName = `${ann['io.kubernetes.cri.sandbox-namespace']}/${ann['io.kubernetes.cri.sandbox-name']}`;
      const pod = `${podName} · ${ann['io.kubernetes.cri.container-name']}`;
      await collapse(page, /^\s*docker/);
      await expand(page, /^\s*kubernetes/);
      await expand(page, pod);
      await expand(page, /^\s*Overview/);
      await rows(page, new RegExp(`^\\s*pod\\s*${reEscape(podName)}`))
        .first()
        .waitFor();
      await expand(page, /^\s*containerd/);
      await rows(page, RIG_CTR_CONTAINER).first().waitFor();
      await ui.vs.shot('02c-kubernetes-pod');
      await collapse(page, /^\s*Overview/);
      await collapse(page, pod);
      await collapse(page, /^\s*kubernetes/);
      await collapse(page, /^\s*containerd/);
      await expand(page, /^\s*docker/);
    },
  );

  ui.step('5. the layers show the whiteout and the opaque dir the rig built, and the shared base layer its users', async () => {
    const page = ui.page;
    await expand(page, LIMITED);
    const layers = new RegExp(`^\\s*Layers\\s*${LIMITED_LAYERS}\\b`);
    await expand(page, layers);
    for (let i = 0; i < LIMITED_LAYERS; i++) await expandRow(labelled(page, i === 0 ? 'upper (writable)' : `lower #${i}`), `layer ${i}`);
    await rows(page, new RegExp(`${reEscape(WHITEOUT_PATH)}.*deleted \\(whiteout`))
      .first()
      .waitFor({ timeout: 30_000 });
    await rows(page, new RegExp(`${reEscape(OPAQUE_DIR)}.*opaque directory`))
      .first()
      .waitFor();
    // The busybox base layer is under every rig image; count its users from Docker around each reading of
    // the tree, until Docker's count holds still across the reading and the tree has caught up with it:
    // other tests (and people) start and remove containers on the base image meanwhile.
    const base = new RegExp(`lower #${LIMITED_LAYERS - 1}\\s*shared by (\\d+) containers`);
    let users: number[] = [];
    let shared = NaN;
    const sameMoment = async (): Promise<boolean> => {
      users = [containersOnBaseLayer(BASE_IMAGE)];
      shared = Number(base.exec(await sidebarText(page))?.[1]);
      users.push(containersOnBaseLayer(BASE_IMAGE));
      return users[0] === users[1] && shared === users[0];
    };
    await until('the tree and docker to count the base layer users at the same moment', sameMoment, 30_000).catch(() => undefined);
    assert.ok(
      users.includes(shared) && shared >= BASE_LAYER_USERS_AT_LEAST,
      `the tree says the base layer is shared by ${shared}, docker counts ${users.join(' then ')}`,
    );
    await ui.vs.shot('05-layers');
    await collapse(page, layers);
  });

  ui.step('7. a container started while the view is open appears without a refresh', async () => {
    const page = ui.page;
    execFileSync('docker', ['run', '-d', '--name', NEW.name, '--network', 'none', '--hostname', NEW.hostname, BASE_IMAGE, 'sleep', '600']);
    await rows(page, NEW.name).first().waitFor({ timeout: 30_000 });
    await ui.vs.shot('07-live-update');
    execFileSync('docker', ['rm', '-f', NEW.name]);
    await rows(page, NEW.name).first().waitFor({ state: 'detached', timeout: 30_000 });
  });
});
