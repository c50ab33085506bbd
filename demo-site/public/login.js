const form = document.getElementById('login-form');
const errorBox = document.getElementById('login-error');
const button = document.getElementById('login-button');
form.elements.username.focus();

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const username = form.elements.username.value.trim();
  const password = form.elements.password.value;
  if (!username || !password) {
    showError('Enter your username and password.');
    return;
  }
  button.disabled = true;
  button.textContent = 'Logging in…';
  try {
    const res = await fetch('/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (res.ok) {
      location.href = '/';
      return;
    }
    const body = await res.json().catch(() => null);
    showError(res.status === 401 ? 'Wrong username or password.' : (body?.error?.message ?? 'Login failed.'));
  } catch {
    showError('The site cannot be reached. Try again.');
  }
  button.disabled = false;
  button.textContent = 'Log in';
});
