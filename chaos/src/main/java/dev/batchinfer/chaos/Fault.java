package dev.batchinfer.chaos;

import dev.batchinfer.embedded.proc.Service;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The faults of the randomized run, each made for real on a process of the cluster and healed before it
 * returns: the run injects one at a time, so every fault is followed by recovery under load.
 */
public enum Fault {
  KILL_WORKER {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.workers(), random);
      s.kill9();
      Await.pause(seconds(random, 1, 5));
      s.start();
    }
  },
  SIGSTOP_WORKER {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.workers(), random);
      s.freeze(true);
      // Sometimes past the session timeout (45 s): the group then moves its partitions.
      Await.pause(seconds(random, 5, 55));
      s.freeze(false);
    }
  },
  SIGTERM_WORKER {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.workers(), random);
      s.terminate(Duration.ofSeconds(90));
      s.start();
    }
  },
  KILL_API {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.apis(), random);
      s.kill9();
      Await.pause(seconds(random, 1, 5));
      s.start();
      c.awaitApis(Duration.ofMinutes(2));
    }
  },
  KILL_PROGRESS {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.progress(), random);
      s.kill9();
      Await.pause(seconds(random, 1, 5));
      s.start();
    }
  },
  KILL_DISPATCHER {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      Service s = pick(c.dispatchers(), random);
      s.kill9();
      Await.pause(seconds(random, 1, 5));
      s.start();
    }
  },
  KILL_REDIS {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      c.redis().kill9();
      Await.pause(seconds(random, 1, 5));
      c.redis().start();
    }
  },
  SIGSTOP_REDIS {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      c.redis().freeze(true);
      Await.pause(seconds(random, 2, 15));
      c.redis().freeze(false);
    }
  },
  REDIS_OUTAGE {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      c.redis().stop();
      Await.pause(seconds(random, 10, 90));
      c.redis().start();
    }
  },
  KILL_BROKER {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      c.broker().kill9();
      Await.pause(seconds(random, 1, 10));
      c.restartBroker();
    }
  },
  RECEIVER_ERRORS {
    @Override
    void inject(ChaosCluster c, WebhookReceiver r, SplittableRandom random) {
      int status = List.of(500, 503, 429).get(random.nextInt(3));
      r.answer(a -> new WebhookReceiver.Reply(status, Duration.ZERO, status == 429 ? "1" : null));
      Await.pause(seconds(random, 2, 20));
      r.answer(a -> WebhookReceiver.Reply.ok());
    }
  };

  /** Makes the fault and heals it. */
  abstract void inject(ChaosCluster cluster, WebhookReceiver receiver, SplittableRandom random);

  private static Service pick(List<Service> services, SplittableRandom random) {
    return services.get(random.nextInt(services.size()));
  }

  private static Duration seconds(SplittableRandom random, int from, int to) {
    return Duration.ofMillis(random.nextLong(from * 1000L, to * 1000L + 1));
  }
}
