import { createRouter, createWebHashHistory } from 'vue-router';
import type { RouteLocationNormalized, RouteLocationRaw, Router } from 'vue-router';
import { homeFor } from '../roles';
import { useSessionStore } from '../stores/session';
import { useWardStore } from '../stores/ward';
import { routes } from './routes';

let booting: Promise<void> | null = null;

/** Load ward status and pick up a session kept in this tab, once (again after a failure). */
export function boot(): Promise<void> {
  if (!booting) {
    booting = (async () => {
      const ward = useWardStore();
      await ward.load();
      if (ward.loadError) {
        booting = null;
        return;
      }
      await useSessionStore().restore();
    })();
  }
  return booting;
}

/** Where a navigation should go instead, or true to let it through. */
export function guard(to: RouteLocationNormalized): true | RouteLocationRaw {
  const ward = useWardStore();
  const session = useSessionStore();
  if (!ward.status) return true; // App.vue shows the "not reachable" panel instead of any page
  if (!ward.status.initialized) return to.name === 'setup' ? true : { name: 'setup' };

  const role = session.isLoggedIn ? session.role : null;
  if (to.name === 'setup') return role ? homeFor(role) : { name: 'login' };
  if (to.meta.public) return role ? homeFor(role) : true;
  if (!role) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if (to.meta.roles && !to.meta.roles.includes(role)) return homeFor(role);
  return true;
}

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHashHistory(), routes });
  router.beforeEach(async (to) => {
    await boot();
    return guard(to);
  });
  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · WardLedger` : 'WardLedger';
  });
  return router;
}
