from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import selectors


@login_required
def home(request):
    clients = selectors.client_list(user=request.user)
    return render(request, "gateway/home.html", {"clients": clients})
