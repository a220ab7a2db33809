import { render } from 'preact';

render(<main>firedrill</main>, document.getElementById('app')!);
