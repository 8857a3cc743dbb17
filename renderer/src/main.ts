import { createPinia } from 'pinia';
import { createApp } from 'vue';
import { api } from './api';
import App from './App.vue';
import { createAppRouter } from './router';
import { useSessionStore } from './stores/session';
import './styles.css';

const app = createApp(App);
const pinia = createPinia();
app.use(pinia);

const session = useSessionStore(pinia);

// One place reacts to what the core says about the session, whichever call or event said it.
api.onEvent((event) => session.handleEvent(event));
api.onError((error, operation) => {
  if (error.code === 'LOCKED') session.markLocked('inactivity');
  else if (error.code === 'UNAUTHENTICATED' && operation !== 'session/login') {
    session.expire('Your session has ended. Please log in again.');
  }
});

app.use(createAppRouter());
app.mount('#app');
